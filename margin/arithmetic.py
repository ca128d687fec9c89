"""Integer products the compiled engine can keep native.

mypyc multiplies two ints natively only when both are non-negative and below 2**30; any other
product is boxed into a Python int first, about ten times slower. Signed sizes (shorts) and
signed entry costs make many of margin/'s products negative, so they multiply magnitudes and
restore the sign. The results are exactly those of `*`; only the speed differs. Likewise
`abs()` is a call into the interpreter; `magnitude` compiles to a comparison.
"""


def signed_times(signed: int, magnitude: int) -> int:
    """signed x magnitude, for a non-negative `magnitude` (a price, a size, a unit)."""
    if signed < 0:
        return -(-signed * magnitude)
    return signed * magnitude


def magnitude(value: int) -> int:
    """abs(value), compiled natively."""
    return value if value >= 0 else -value
