from odoo.tools import SQL


def uninstall_hook(env):
    """Detach core records from the addon's records before Odoo deletes them.

    Leads keep their cycle and the competitor they were lost to until Odoo
    drops those columns, which comes after it deletes the addon's data
    (cycles, competitors): their ``restrict`` foreign keys would refuse it.
    """
    env.cr.execute(
        SQL(
            """
            UPDATE crm_lead
               SET lost_to_competitor_id = NULL, sales_cycle_id = NULL
             WHERE lost_to_competitor_id IS NOT NULL OR sales_cycle_id IS NOT NULL
            """
        )
    )
