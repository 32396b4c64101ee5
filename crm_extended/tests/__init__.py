from . import test_foundation

# -- credit control --
from . import test_credit

# -- sales cycles and qualification --

# -- warranties --

# -- competitors --

# -- xlsx exports and customer 360 --
