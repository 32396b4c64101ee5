from . import test_foundation

# -- credit control --

# -- sales cycles and qualification --

# -- warranties --

# -- competitors --

# -- xlsx exports and customer 360 --
