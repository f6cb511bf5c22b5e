from ninja import Router

router = Router(tags=["changes"], by_alias=True)
