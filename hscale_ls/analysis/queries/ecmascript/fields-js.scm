; Class fields with an initialiser (JavaScript grammar).
(field_definition
  property: (property_identifier)
  value: (_)) @field
