from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import crm_lead
from . import account_move

# -- credit control --
from . import crm_credit_guard

# -- sales cycles and qualification --

# -- warranties --

# -- competitors --

# -- customer 360 --
