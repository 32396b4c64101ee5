"""Competitors: win/loss statistics of every competitor over many deals."""

ORDER = 50
COMPETITORS = 200
LEADS = 10000
LINES_PER_LEAD = 5  # 50,000 competitor lines


def run(b):
    company_id = b.env.company.id
    b.sql(
        """
        INSERT INTO crm_competitor (name, company_id, active, strategy, color,
                                    create_date, write_date)
        SELECT 'Bench rival ' || i, %s, true,
               (ARRAY['leader', 'challenger', 'follower', 'niche'])[1 + i %% 4],
               i %% 12, now(), now()
          FROM generate_series(1, %s) AS i
        """,
        company_id,
        COMPETITORS,
    )
    rivals = b.sql(
        "SELECT array_agg(id ORDER BY id) FROM crm_competitor WHERE name LIKE 'Bench rival %%'"
    )[0][0]
    # one deal in ten won, one in five lost (archived) to its first competitor
    b.sql(
        """
        INSERT INTO crm_lead (name, type, active, company_id, expected_revenue,
                              probability, won_status, create_date, write_date)
        SELECT 'Bench deal ' || i, 'opportunity', i %% 5 <> 0, %s, 100 * (i %% 97),
               CASE WHEN i %% 10 = 1 THEN 100 WHEN i %% 5 = 0 THEN 0 ELSE 30 END,
               CASE WHEN i %% 10 = 1 THEN 'won' WHEN i %% 5 = 0 THEN 'lost'
                    ELSE 'pending' END,
               now(), now()
          FROM generate_series(1, %s) AS i
        """,
        company_id,
        LEADS,
    )
    # competitor k of deal i: rivals[(i + 37 k) mod 200] (5 distinct ones)
    b.sql(
        """
        INSERT INTO crm_lead_competitor (lead_id, competitor_id, threat_level,
                                         competitor_price, create_date, write_date)
        SELECT lead.id, (%s::int[])[1 + (lead.id + 37 * k) %% %s], 'medium',
               50 * k, now(), now()
          FROM crm_lead lead, generate_series(0, %s) AS k
         WHERE lead.name LIKE 'Bench deal %%'
        """,
        rivals,
        COMPETITORS,
        LINES_PER_LEAD - 1,
    )
    b.sql(
        """
        UPDATE crm_lead lead
           SET lost_to_competitor_id = (%s::int[])[1 + lead.id %% %s]
         WHERE lead.name LIKE 'Bench deal %%' AND lead.won_status = 'lost'
        """,
        rivals,
        COMPETITORS,
    )
    b.commit()

    competitors = b.env["crm.competitor"].browse(rivals)
    fields = ["opportunity_count", "won_count", "lost_count", "win_rate", "lost_revenue"]
    b.measure(
        f"statistics of {len(competitors)} competitors over {LEADS * LINES_PER_LEAD} lines",
        lambda: competitors.read(fields),
        """
        SELECT met.competitor_id, COUNT(*),
               COUNT(*) FILTER (WHERE lead.won_status = 'won'),
               COUNT(*) FILTER (WHERE lead.won_status = 'lost'
                                  AND lead.lost_to_competitor_id = met.competitor_id),
               SUM(lead.expected_revenue) FILTER (
                   WHERE lead.won_status = 'lost'
                     AND lead.lost_to_competitor_id = met.competitor_id)
          FROM (SELECT competitor_id, lead_id FROM crm_lead_competitor
                UNION
                SELECT lost_to_competitor_id, id FROM crm_lead
                 WHERE lost_to_competitor_id IS NOT NULL) AS met
          JOIN crm_lead lead ON lead.id = met.lead_id
         WHERE met.competitor_id = ANY(%s)
         GROUP BY met.competitor_id
        """,
        rivals,
    )
    b.measure(
        "win/loss report grouped by competitor and outcome",
        lambda: b.env["crm.competitor.winloss.report"]._read_group(
            [("competitor_id", "in", rivals)],
            ["competitor_id", "outcome"],
            ["__count", "expected_revenue:sum"],
        ),
        """
        SELECT competitor_id, outcome, COUNT(*), SUM(expected_revenue)
          FROM crm_competitor_winloss_report
         WHERE competitor_id = ANY(%s)
         GROUP BY competitor_id, outcome
        """,
        rivals,
    )
