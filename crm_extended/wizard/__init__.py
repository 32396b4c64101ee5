# -- sales cycles and qualification --
from . import crm_lead_gate_override

# -- competitors --
from . import crm_lead_lost_competition

# -- xlsx exports --
from . import crm_extended_xlsx_export
from . import crm_extended_xlsx_export_service
