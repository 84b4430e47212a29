; Class fields with an initialiser (JavaScript grammar).
(field_definition
  property: (property_identifier) @field.name
  value: (_) @field.value) @field
