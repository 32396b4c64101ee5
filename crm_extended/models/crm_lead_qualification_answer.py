from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CrmLeadQualificationAnswer(models.Model):
    _name = "crm.lead.qualification.answer"
    _inherit = ["crm.extended.input.guard"]
    _description = "Lead Qualification Answer"
    _order = "qualification_id, question_sequence, question_id, id"

    qualification_id = fields.Many2one(
        "crm.lead.qualification", required=True, index=True, ondelete="cascade"
    )
    question_id = fields.Many2one("crm.qualification.question", required=True, ondelete="cascade")
    question_sequence = fields.Integer(related="question_id.sequence", store=True)
    required = fields.Boolean(related="question_id.required")
    weight = fields.Float(related="question_id.weight")
    option_id = fields.Many2one(
        "crm.qualification.option",
        string="Answer",
        ondelete="restrict",
        domain="[('question_id', '=', question_id)]",
    )
    score = fields.Float(related="option_id.score")
    disqualifying = fields.Boolean(related="option_id.disqualifying")

    _question_uniq = models.Constraint(
        "UNIQUE(qualification_id, question_id)",
        "A question can be answered only once per qualification.",
    )

    @api.constrains("option_id", "question_id")
    def _check_option_question(self):
        for answer in self:
            if answer.option_id and answer.option_id.question_id != answer.question_id:
                raise ValidationError(
                    self.env._(
                        "The answer “%(option)s” is not an option of the question “%(question)s”.",
                        option=answer.option_id.name,
                        question=answer.question_id.name,
                    )
                )
            questionnaire = answer.qualification_id.questionnaire_id
            if answer.question_id.questionnaire_id != questionnaire:
                raise ValidationError(
                    self.env._(
                        "The question “%(question)s” does not belong to the questionnaire “%(questionnaire)s”.",
                        question=answer.question_id.name,
                        questionnaire=questionnaire.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        answers = super().create(vals_list)
        if any(answer.qualification_id.state == "done" for answer in answers):
            raise UserError(self.env._("A done qualification cannot be modified."))
        return answers

    def write(self, vals):
        if any(answer.qualification_id.state == "done" for answer in self):
            raise UserError(self.env._("A done qualification cannot be modified."))
        return super().write(vals)

    def unlink(self):
        if any(answer.qualification_id.state == "done" for answer in self):
            raise UserError(self.env._("A done qualification cannot be modified."))
        return super().unlink()
