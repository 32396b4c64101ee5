# -- shared by every model users write --
from . import crm_extended_input_guard

# -- credit control --
from . import crm_credit_guard
from . import res_company_credit
from . import res_config_settings_credit
from . import res_partner_credit
from . import sale_order_credit
from . import sale_order_line_credit
from . import crm_credit_invariant
from . import account_move_credit
from . import payment_transaction_credit

# -- sales cycles and qualification --
from . import crm_qualification_questionnaire
from . import crm_qualification_question
from . import crm_qualification_option
from . import crm_lead_qualification
from . import crm_lead_qualification_answer
from . import crm_sales_cycle
from . import crm_sales_cycle_stage
from . import crm_stage_cycle
from . import crm_lead_stage_history
from . import crm_team_cycle
from . import crm_lead_cycle
from . import res_company_cycle
from . import res_config_settings_cycle

# -- warranties --
from . import crm_warranty_contract
from . import product_template_warranty
from . import res_partner_warranty
from . import sale_order_warranty
from . import account_move_warranty
from . import res_company_warranty
from . import res_config_settings_warranty

# -- competitors --
from . import crm_competitor
from . import crm_lead_competitor
from . import crm_lead_competition
from . import res_company_competition
from . import res_config_settings_competition

# -- customer 360 --
from . import res_partner_360

# -- customer insights --
from . import res_company_insight
from . import res_config_settings_insight
from . import crm_customer_insight
from . import crm_product_affinity
from . import res_partner_insight
from . import sale_order_insight
from . import product_product_insight

# -- after-sales cases --
from . import res_company_service
from . import res_config_settings_service
from . import crm_service_case
from . import res_partner_service

# -- retention plans --
from . import crm_retention
