; Candidate nodes for fact extraction in JavaScript and TypeScript.
; The queries only find candidates; facts.py and extract_js.py decide what they mean.

(variable_declarator
  name: (identifier) @decl.name
  value: (_) @decl.value) @decl

(assignment_expression
  left: (_) @assign.left
  right: (_) @assign.right) @assign

(augmented_assignment_expression
  left: (_) @aug.left) @aug

(update_expression
  argument: (_) @update.arg) @update

(unary_expression
  operator: "delete"
  argument: (_) @delete.arg) @delete

(call_expression
  function: (_) @call.fn
  arguments: (arguments) @call.args) @call

(new_expression
  constructor: (_) @new.ctor) @new

(import_statement
  source: (string) @import.source) @import

(for_in_statement
  right: (_) @loop.iter
  body: (_) @loop.body) @loop

(decorator) @decorator

(class_declaration name: (_) @class_decl.name) @class_decl

[
  (function_declaration)
  (function_expression)
  (arrow_function)
  (method_definition)
  (generator_function_declaration)
  (generator_function)
] @function

(comment) @comment
