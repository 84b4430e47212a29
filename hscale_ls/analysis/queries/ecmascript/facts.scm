; Candidate nodes for fact extraction in JavaScript and TypeScript.
; The queries only find candidates; facts.py and extract_js.py decide what they mean.

(variable_declarator
  name: (identifier)
  value: (_)) @decl

(variable_declarator
  name: (object_pattern)
  value: (identifier)) @destructure

(assignment_expression
  left: (_)
  right: (_)) @assign

(augmented_assignment_expression
  left: (_)) @aug

(update_expression
  argument: (_)) @update

(unary_expression
  operator: "delete"
  argument: (_)) @delete

(call_expression
  function: (_)
  arguments: (arguments)) @call

(new_expression
  constructor: (_)) @new

(import_statement
  source: (string) @import.source) @import

(for_in_statement
  right: (_)
  body: (_)) @loop

(decorator) @decorator

(class_declaration name: (_)) @class_decl

[
  (function_declaration)
  (function_expression)
  (arrow_function)
  (method_definition)
  (generator_function_declaration)
  (generator_function)
] @function

(comment) @comment
