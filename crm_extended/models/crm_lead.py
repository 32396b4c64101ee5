from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # -- credit control --

    # -- sales cycles and qualification --
    # (fields and overrides in crm_lead_cycle.py: a separate layer keeps
    # its create/write overrides apart from the other features')

    # -- warranties --

    # -- competitors --

    # -- customer 360 --
