; Candidate nodes for fact extraction in Python.
; The queries only find candidates; extract_py.py decides what they mean.

(assignment
  left: (_)
  right: (_)) @assign

(augmented_assignment
  left: (_)) @aug

(delete_statement) @delete

(call
  function: (_)
  arguments: (_)) @call

(import_statement) @import
(import_from_statement) @import

(for_statement
  right: (_)
  body: (_)) @loop

(global_statement) @global

(decorator) @decorator

[(function_definition) (lambda)] @function

(class_definition) @class

(comment) @comment

(string) @string
