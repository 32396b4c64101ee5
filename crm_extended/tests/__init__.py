from . import test_foundation

# -- credit control --

# -- sales cycles and qualification --
from . import test_sales_cycle
from . import test_qualification
from . import test_sales_cycle_report
from . import test_sales_cycle_tour

# -- warranties --

# -- competitors --
from . import test_competitor
from . import test_competitor_tour

# -- xlsx exports and customer 360 --
