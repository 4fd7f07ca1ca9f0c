# The compiled CFFI module (generated from the headers): its ffi and lib are dynamic.
from typing import Any

ffi: Any
lib: Any
