from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_hold_block_on_limit = fields.Boolean(
        string="Block Orders Over Credit Limit",
        default=False,
        help="Opt-in: exceeding a customer's credit limit blocks the confirmation of sale "
        "orders until a credit controller approves them. When off (the default, as Odoo's own "
        "credit limit), the limit only warns; credit holds and the overdue rule always block.",
    )
    credit_hold_warning_percent = fields.Float(
        string="Credit Warning Threshold (%)",
        default=90.0,
        help="A customer whose exposure reaches this share of the credit limit is shown as a warning.",
    )
    credit_hold_overdue_days = fields.Integer(
        string="Hold After Overdue Days",
        default=0,
        help="A customer with an invoice overdue by more than this many days is put on hold "
        "automatically. 0 disables the rule.",
    )
    credit_controller_id = fields.Many2one(
        "res.users",
        domain=lambda self: [
            ("all_group_ids", "in", self.env.ref("crm_extended.group_credit_controller").ids)
        ],
        help="Receives the approval requests for orders blocked by credit control. "
        "When empty, every credit controller of the company receives them.",
    )

    @api.constrains("credit_hold_warning_percent")
    def _check_credit_hold_warning_percent(self):
        for company in self:
            if not 0 < company.credit_hold_warning_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The credit warning threshold of %(company)s must be above 0 and at most 100 percent.",
                        company=company.name,
                    )
                )

    @api.constrains("credit_hold_overdue_days")
    def _check_credit_hold_overdue_days(self):
        for company in self:
            if company.credit_hold_overdue_days < 0:
                raise ValidationError(
                    self.env._(
                        "The overdue days before an automatic credit hold of %(company)s cannot be negative.",
                        company=company.name,
                    )
                )
