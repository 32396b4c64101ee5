from . import res_company
from . import res_config_settings

# -- credit control --

# -- sales cycles and qualification --

# -- warranties --

# -- competitors --

# -- customer 360 --
