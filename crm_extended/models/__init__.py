from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import crm_lead
from . import account_move

# -- credit control --

# -- sales cycles and qualification --

# -- warranties --
from . import crm_warranty_contract
from . import product_template

# -- competitors --

# -- customer 360 --
