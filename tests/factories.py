import factory

from inventory.models import Item, Location


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LOC{n}")
    name = factory.LazyAttribute(lambda o: f"Location {o.code}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("no",)

    no = factory.Sequence(lambda n: f"ITEM{n:04d}")
    description = factory.LazyAttribute(lambda o: f"Item {o.no}")
    costing_method = "fifo"
    inventory_posting_group = "RESALE"
    gen_prod_posting_group = "RETAIL"
