; Class fields with an initialiser (TypeScript grammar).
(public_field_definition
  name: (property_identifier)
  value: (_)) @field
