from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmQualificationOption(models.Model):
    _name = "crm.qualification.option"
    _inherit = ["crm.extended.input.guard"]
    _description = "Lead Qualification Answer Option"
    _order = "question_id, sequence, id"

    question_id = fields.Many2one(
        "crm.qualification.question", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Option", required=True, translate=True)
    score = fields.Float(default=0.0, help="Score (0-100) this answer gives to the question.")
    disqualifying = fields.Boolean(
        help="Choosing this option fails the qualification whatever the score."
    )

    @api.constrains("score")
    def _check_score(self):
        for option in self:
            if not 0 <= option.score <= 100:
                raise ValidationError(
                    self.env._(
                        "The score of option “%(name)s” must be between 0 and 100.",
                        name=option.name,
                    )
                )
