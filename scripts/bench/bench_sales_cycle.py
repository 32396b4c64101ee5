"""Benchmark: sales funnel report and batch stage moves (crm_extended).

Seeds 100,000 leads of the ready-made B2C cycle with their stage history
(generate_series), then measures:

* reading the funnel (``crm.sales.funnel.report``) through the ORM: one SQL
  query, to stay within 1.5x the raw aggregate of the view's SQL;
* the stage-history writes of 100 and then 1,000 leads moved at once: the
  query count printed for both is the same (constant: one UPDATE closing the
  open stays, one INSERT opening the new ones);
* for information, the whole ``write`` moving 100 and 1,000 leads (core's ORM
  flushes crm_lead in batches of 100 rows and recomputes lead scoring, so that
  total grows with core, not with the history). Chatter tracking is disabled.
"""

ORDER = 60

LEADS = 100_000


def run(b):
    env = b.env
    cycle = env.ref("crm_extended.crm_sales_cycle_b2c")
    lines = cycle.stage_line_ids
    stage_ids = lines.stage_id.ids  # New, Offer, Won
    company = env.company

    b.sql(
        """
        INSERT INTO crm_lead (name, type, active, stage_id, sales_cycle_id, company_id,
                              probability, automated_probability, expected_revenue,
                              priority, create_date, write_date, date_last_stage_update)
        SELECT 'bench lead ' || n, 'opportunity',
               (n %% 17) <> 0,
               (ARRAY[%s, %s, %s])[1 + (n %% 3)],
               %s, %s,
               (ARRAY[20.0, 60.0, 100.0])[1 + (n %% 3)],
               0.0, (n %% 1000) * 10.0, '0',
               NOW() AT TIME ZONE 'UTC' - INTERVAL '30 days',
               NOW() AT TIME ZONE 'UTC',
               NOW() AT TIME ZONE 'UTC' - (n %% 20) * INTERVAL '1 day'
          FROM generate_series(1, %s) AS n
        """,
        *stage_ids,
        cycle.id,
        company.id,
        LEADS,
    )
    # one stay per stage reached, the last one open
    b.sql(
        """
        INSERT INTO crm_lead_stage_history (lead_id, sales_cycle_id, stage_id, date_in,
                                            date_out, duration_days, company_id)
        SELECT lead.id, lead.sales_cycle_id, stage.stage_id,
               lead.create_date + (stage.rank - 1) * INTERVAL '5 days',
               CASE WHEN stage.stage_id = lead.stage_id THEN NULL
                    ELSE lead.create_date + stage.rank * INTERVAL '5 days' END,
               CASE WHEN stage.stage_id = lead.stage_id THEN 0 ELSE 5 END,
               lead.company_id
          FROM crm_lead lead
          JOIN (SELECT stage_id, ROW_NUMBER() OVER (ORDER BY sequence, id) AS rank
                  FROM crm_sales_cycle_stage WHERE cycle_id = %s) stage
            ON stage.rank <= array_position(ARRAY[%s, %s, %s], lead.stage_id)
         WHERE lead.name LIKE 'bench lead %%'
        """,
        cycle.id,
        *stage_ids,
    )
    b.sql("ANALYZE crm_lead")
    b.sql("ANALYZE crm_lead_stage_history")
    b.commit()
    env.invalidate_all()

    Report = env["crm.sales.funnel.report"]
    aggregates = [
        "reached_count:sum",
        "current_count:sum",
        "conversion_rate:avg",
        "avg_days:avg",
        "expected_revenue:sum",
    ]
    raw_aggregate = (
        "SELECT sales_cycle_id, stage_id, SUM(reached_count), SUM(current_count), "
        "AVG(conversion_rate), AVG(avg_days), SUM(expected_revenue) "
        f"FROM ({Report._query().code}) funnel "
        "GROUP BY sales_cycle_id, stage_id"
    )
    b.measure(
        "funnel read (100k leads, one query)",
        lambda: Report._read_group([], ["sales_cycle_id", "stage_id"], aggregates),
        raw_aggregate,
    )

    Lead = env["crm.lead"].with_context(tracking_disable=True)
    offer = env.ref("crm_extended.crm_stage_cycle_offer")
    new = env.ref("crm.stage_lead1")

    for size in (100, 1000):
        leads = Lead.search(
            [("sales_cycle_id", "=", cycle.id), ("stage_id", "=", offer.id), ("active", "=", True)],
            limit=size,
        )
        state = {"forward": False}

        def move(leads=leads, state=state):
            target = offer if state["forward"] else new
            state["forward"] = not state["forward"]
            leads.write({"stage_id": target.id})
            env.flush_all()

        ids = ",".join(str(i) for i in leads.ids)
        b.measure(
            f"stage history of {size} leads moved at once (constant queries)",
            leads._cycle_log_history,
            "INSERT INTO crm_lead_stage_history (lead_id, sales_cycle_id, stage_id, date_in, "
            "company_id) SELECT id, sales_cycle_id, stage_id, NOW() AT TIME ZONE 'UTC', company_id "
            f"FROM crm_lead WHERE id IN ({ids})",
        )
        b.measure(
            f"move {size} leads at once (history included)",
            move,
            f"UPDATE crm_lead SET stage_id = stage_id WHERE id IN ({ids})",
        )
