from . import test_foundation

# -- credit control --
from . import test_credit
from . import test_credit_concurrency
from . import test_credit_performance
from . import test_credit_tour
from . import test_credit_side_doors
from . import test_credit_invariant
from . import test_gate_fuzzer
from . import test_credit_online
from . import test_credit_ui
from . import test_credit_available
from . import test_credit_next_step
from . import test_i18n_variants

# -- sales cycles and qualification --
from . import test_sales_cycle
from . import test_cycle_invariant
from . import test_qualification
from . import test_sales_cycle_report
from . import test_sales_cycle_tour
from . import test_cycle_idioms
from . import test_pipeline_cycle

# -- warranties --
from . import test_warranty
from . import test_warranty_cron
from . import test_warranty_tour
from . import test_warranty_reminder

# -- competitors --
from . import test_competitor
from . import test_competitor_tour

# -- xlsx exports and customer 360 --
from . import test_xlsx_export
from . import test_xlsx_stream
from . import test_customer_360
from . import test_customer_360_graphs
from . import test_customer_360_tour
from . import test_i18n

# -- customer insights --
from . import test_insight
from . import test_insight_tour
from . import test_insight_concurrency

# -- after-sales cases --
from . import test_service_case
from . import test_service_case_mail
from . import test_service_case_portal
from . import test_service_case_tour

# -- public interface (QA) --
from . import test_public_interface
from . import test_cross_feature
from . import test_access_matrix
from . import test_privacy_findings
from . import test_bad_input
from . import test_field_access_matrix
from . import test_company_rules
from . import test_menu_visibility
from . import test_ui_consistency
from . import test_ui_consistency_tour
from . import test_persian_tour
from . import test_insight_trust
from . import test_retention
