; Candidate nodes for fact extraction in Python.
; The queries only find candidates; extract_py.py decides what they mean.

(assignment
  left: (_) @assign.left
  right: (_) @assign.right) @assign

(augmented_assignment
  left: (_) @aug.left) @aug

(delete_statement) @delete

(call
  function: (_) @call.fn
  arguments: (_) @call.args) @call

(import_statement) @import
(import_from_statement) @import

(for_statement
  right: (_) @loop.iter
  body: (_) @loop.body) @loop

(global_statement) @global

(decorator) @decorator

[(function_definition) (lambda)] @function

(class_definition) @class

(comment) @comment

(string) @string
