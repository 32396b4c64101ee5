from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import crm_lead
from . import account_move

# -- credit control --

# -- sales cycles and qualification --

# -- warranties --

# -- competitors --
from . import crm_competitor
from . import crm_lead_competitor

# -- customer 360 --
