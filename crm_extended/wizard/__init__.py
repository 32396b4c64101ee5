from . import crm_lead_gate_override
