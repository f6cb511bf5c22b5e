from ninja import Router

router = Router(tags=["major"], by_alias=True)
