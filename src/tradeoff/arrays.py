"""The NumPy array types the code is annotated with, named once."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

F64: TypeAlias = NDArray[np.float64]
I64: TypeAlias = NDArray[np.int64]
U64: TypeAlias = NDArray[np.uint64]
Idx: TypeAlias = NDArray[np.intp]
Bool: TypeAlias = NDArray[np.bool_]
