from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmQualificationQuestion(models.Model):
    _name = "crm.qualification.question"
    _inherit = ["crm.extended.input.guard"]
    _description = "Lead Qualification Question"
    _order = "questionnaire_id, sequence, id"

    questionnaire_id = fields.Many2one(
        "crm.qualification.questionnaire", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Question", required=True, translate=True)
    weight = fields.Float(default=1.0, help="Relative weight of the question in the score.")
    required = fields.Boolean(
        default=True, help="A qualification cannot be marked done without an answer here."
    )
    option_ids = fields.One2many(
        "crm.qualification.option", "question_id", string="Options", copy=True
    )

    @api.constrains("weight")
    def _check_weight(self):
        for question in self:
            if question.weight <= 0:
                raise ValidationError(
                    self.env._(
                        "The weight of question “%(name)s” must be strictly positive.",
                        name=question.name,
                    )
                )
