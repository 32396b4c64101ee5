from . import crm_sales_funnel_report
