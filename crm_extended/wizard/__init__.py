# -- sales cycles and qualification --
from . import crm_lead_gate_override

# -- competitors --
from . import crm_lead_lost
