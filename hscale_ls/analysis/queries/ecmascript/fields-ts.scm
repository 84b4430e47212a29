; Class fields with an initialiser (TypeScript grammar).
(public_field_definition
  name: (property_identifier) @field.name
  value: (_) @field.value) @field
