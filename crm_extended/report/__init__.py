# -- sales cycles and qualification --
from . import crm_sales_funnel_report

# -- competitors --
from . import crm_competitor_winloss_report
