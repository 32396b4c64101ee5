from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmQualificationQuestionnaire(models.Model):
    _name = "crm.qualification.questionnaire"
    _inherit = ["crm.extended.input.guard"]
    _description = "Lead Qualification Questionnaire"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    pass_score = fields.Float(
        default=50.0,
        help="Minimum weighted score (0-100) a done qualification needs to pass.",
    )
    question_ids = fields.One2many(
        "crm.qualification.question", "questionnaire_id", string="Questions", copy=True
    )
    question_count = fields.Integer(compute="_compute_question_count")
    active = fields.Boolean(default=True)
    # no default, as crm.team and crm.stage: shared unless a company is chosen
    company_id = fields.Many2one("res.company", string="Company", index=True)

    @api.depends("question_ids")
    def _compute_question_count(self):
        for questionnaire in self:
            questionnaire.question_count = len(questionnaire.question_ids)

    @api.constrains("pass_score")
    def _check_pass_score(self):
        for questionnaire in self:
            if not 0 <= questionnaire.pass_score <= 100:
                raise ValidationError(
                    self.env._(
                        "The pass score of questionnaire “%(name)s” must be between 0 and 100.",
                        name=questionnaire.name,
                    )
                )
