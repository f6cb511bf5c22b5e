from ninja import Router

router = Router(tags=["reports"], by_alias=True)
