from . import test_foundation

# -- credit control --
from . import test_credit
from . import test_credit_concurrency
from . import test_credit_performance
from . import test_credit_tour

# -- sales cycles and qualification --

# -- warranties --

# -- competitors --

# -- xlsx exports and customer 360 --
