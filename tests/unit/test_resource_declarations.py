"""Every registered resource's declaration against its contract and its tables."""

import pytest
from sqlalchemy import String

from chorus_resource.catalog import RESOURCES
from chorus_resource.resource import Resource

BY_NAME = {resource.plural.lower(): resource for resource in RESOURCES}


@pytest.mark.parametrize("resource", BY_NAME.values(), ids=BY_NAME.keys())
def test_every_sortable_field_has_an_index_that_starts_with_the_tenant(
    resource: Resource,
) -> None:
    leading = {tuple(c.name for c in index.columns)[:2] for index in resource.table.indexes}
    for field in resource.sortable:
        assert ("tenant_id", field) in leading, field


@pytest.mark.parametrize("resource", BY_NAME.values(), ids=BY_NAME.keys())
def test_text_columns_have_no_length_of_their_own(resource: Resource) -> None:
    # Limits are the contract's (protovalidate): a column length would be a second copy.
    for column in resource.columns:
        if isinstance(column.type, String) and column.name not in ("id", "tenant_id", "created_by"):
            assert column.type.length is None, column.name


@pytest.mark.parametrize("resource", BY_NAME.values(), ids=BY_NAME.keys())
def test_the_contract_has_the_standard_methods(resource: Resource) -> None:
    for verb in ("Create", "Get", "List", "Update", "Delete"):
        assert resource.method(verb).name.startswith(verb)
    assert resource.field_name
    assert resource.list_field_name


IMPORTABLE = {name: resource for name, resource in BY_NAME.items() if resource.importable}


@pytest.mark.parametrize("resource", IMPORTABLE.values(), ids=IMPORTABLE.keys())
def test_an_import_method_has_what_the_generic_layer_reads(resource: Resource) -> None:
    # chorus_resource.operation_service reads these of any Import… call, and the client
    # (import_file) sets them.
    method = resource.method("Import")
    assert {"document", "format", "request_id"} <= set(method.input_type.fields_by_name)
    assert "operation" in method.output_type.fields_by_name
