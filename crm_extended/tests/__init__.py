from . import test_foundation

# -- credit control --

# -- sales cycles and qualification --

# -- warranties --
from . import test_warranty
from . import test_warranty_cron
from . import test_warranty_tour

# -- competitors --

# -- xlsx exports and customer 360 --
