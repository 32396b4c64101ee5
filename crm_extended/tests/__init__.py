from . import test_foundation

# -- credit control --

# -- sales cycles and qualification --

# -- warranties --

# -- competitors --
from . import test_competitor
from . import test_competitor_tour

# -- xlsx exports and customer 360 --
