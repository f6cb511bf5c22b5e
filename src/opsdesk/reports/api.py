from ninja import Router

router = Router(tags=["reports"], by_alias=True)
router.add_router("/panels", "opsdesk.reports.dashboard_api.router")
router.add_router("/kpis", "opsdesk.reports.kpi_api.router")
