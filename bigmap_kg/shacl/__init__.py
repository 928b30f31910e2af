"""SHACL Core validation for the project's shapes, in plain Python (:mod:`.engine`) over shapes
read once (:mod:`.shapes`); pySHACL remains the reference the tests compare it with."""

from bigmap_kg.shacl.engine import Data, Result, Validator
from bigmap_kg.shacl.shapes import Shape, UnsupportedShape, read_shapes

__all__ = ["Data", "Result", "Shape", "UnsupportedShape", "Validator", "read_shapes"]
