from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_hold_block_on_limit = fields.Boolean(
        related="company_id.credit_hold_block_on_limit", readonly=False
    )
    credit_hold_warning_percent = fields.Float(
        related="company_id.credit_hold_warning_percent", readonly=False
    )
    credit_hold_overdue_days = fields.Integer(
        related="company_id.credit_hold_overdue_days", readonly=False
    )
    credit_controller_id = fields.Many2one(
        related="company_id.credit_controller_id", readonly=False
    )

    def action_open_credit_settings(self):
        """Open the Credit Control settings, in the Invoicing app.

        Odoo links to another app's setting by its id in the URL fragment
        (``/odoo/settings#<setting id>``): the settings page selects that app
        and highlights the setting. Reopening the Settings action instead
        would keep the app of the current fragment (the one just clicked).
        """
        return {
            "type": "ir.actions.act_url",
            "url": "/odoo/action-account.action_account_config#crm_extended_credit_block_on_limit",
            "target": "self",
        }
