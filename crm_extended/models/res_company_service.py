from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    service_response_hours_0 = fields.Float(
        string="Response Time (Low)", default=72.0, help="Hours to answer a low priority case."
    )
    service_response_hours_1 = fields.Float(
        string="Response Time (Normal)", default=24.0, help="Hours to answer a normal case."
    )
    service_response_hours_2 = fields.Float(
        string="Response Time (High)", default=8.0, help="Hours to answer a high priority case."
    )
    service_response_hours_3 = fields.Float(
        string="Response Time (Urgent)", default=2.0, help="Hours to answer an urgent case."
    )
    service_rating_request = fields.Boolean(
        string="Ask for a Rating on Close",
        default=True,
        help="Closing a case sends the customer an e-mail asking to rate the service.",
    )

    _service_response_hours_positive = models.Constraint(
        "CHECK(service_response_hours_0 >= 0 AND service_response_hours_1 >= 0 "
        "AND service_response_hours_2 >= 0 AND service_response_hours_3 >= 0)",
        "Response times of after-sales cases cannot be negative.",
    )
