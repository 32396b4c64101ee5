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
        self._check_new_answers(vals_list)
        answers = super().create(vals_list)
        if any(answer.qualification_id.state == "done" for answer in answers):
            raise UserError(self.env._("A done qualification cannot be modified."))
        return answers

    @api.model
    def _check_new_answers(self, vals_list):
        """Before the row reaches the UNIQUE constraint (a raw error that, over RPC,
        tells anyone the question is answered there): whether the user may change
        the qualifications at all, then a sentence about the duplicate."""
        default = self.env.context.get("default_qualification_id")
        pairs = [
            (vals.get("qualification_id", default), vals.get("question_id")) for vals in vals_list
        ]
        qualifications = (
            self.env["crm.lead.qualification"]
            .browse({q for q, _question in pairs if isinstance(q, int) and q > 0})
            .exists()
        )
        if not qualifications:
            return
        if not self.env.su:
            qualifications.check_access("write")
        existing = {
            (answer.qualification_id.id, answer.question_id.id)
            for answer in self.sudo().search([("qualification_id", "in", qualifications.ids)])
        }
        seen = set()
        for key in pairs:
            if not all(isinstance(part, int) for part in key):
                continue  # refused by the input guard
            if key in seen or key in existing:
                raise ValidationError(
                    self.env._(
                        "The question “%(question)s” is already answered in this qualification.",
                        question=self.env["crm.qualification.question"].browse(key[1]).name,
                    )
                )
            seen.add(key)

    def write(self, vals):
        if any(answer.qualification_id.state == "done" for answer in self):
            raise UserError(self.env._("A done qualification cannot be modified."))
        return super().write(vals)

    def unlink(self):
        if any(answer.qualification_id.state == "done" for answer in self):
            raise UserError(self.env._("A done qualification cannot be modified."))
        return super().unlink()
