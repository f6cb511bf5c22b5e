from ninja import Router

router = Router(tags=["audit"], by_alias=True)
