"""Integer products the compiled engine can keep native.

mypyc multiplies two ints natively only when both are non-negative and below 2**30; any other
product is boxed into a Python int first, about ten times slower. Signed sizes (shorts) and
signed entry costs make many of margin/'s products negative, so they multiply magnitudes and
restore the sign. The results are exactly those of `*`; only the speed differs. Likewise
`abs()` is a call into the interpreter; `magnitude` compiles to a comparison.
"""

from typing import Final


def signed_times(signed: int, magnitude: int) -> int:
    """signed x magnitude, for a non-negative `magnitude` (a price, a size, a unit)."""
    if signed < 0:
        return -(-signed * magnitude)
    return signed * magnitude


def magnitude(value: int) -> int:
    """abs(value), compiled natively."""
    return value if value >= 0 else -value


LOW_BITS: Final = (1 << 30) - 1  # Final: a C constant when compiled, not a global lookup


def wide_times(value: int, factor: int) -> int:
    """value x factor for 0 <= factor < 2**30 and any value: a value up to 2**60 is multiplied in
    two native halves (a balance in micro-USDC is often above 2**30, a tier denominator small)."""
    size = value if value >= 0 else -value
    if size > LOW_BITS and size < (1 << 60) and factor <= LOW_BITS:
        product = ((size >> 30) * factor << 30) + (size & LOW_BITS) * factor
    else:
        product = size * factor
    return product if value >= 0 else -product
