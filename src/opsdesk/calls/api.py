from ninja import Router

router = Router(tags=["calls"], by_alias=True)
