"""Google's Vertex AI client (google-cloud-aiplatform's aiplatform_v1, REST transport) against the
Vertex AI stand-in (test/support/vertex-stand-in.ts), as test/api/vertex-stand-in-client.test.ts
runs it: upload a model and a second version, create an endpoint, deploy, split and move the
traffic, undeploy, predict, and read the registry back. Every long-running call ends in
`operation.result(timeout=...)`, so the client's own operations client polls the stand-in and
decodes the `@type` Any messages of metadata and response: an unknown field or a wrong type
name there fails the run. Prints one JSON object, the summary the test asserts on.

    python vertex_rest_client_check.py '{"url": ..., "token": ..., "project": ..., ...}'
"""

from __future__ import annotations

import json
import sys
from typing import Any

from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.cloud import aiplatform_v1 as vertex
from google.oauth2.credentials import Credentials
from google.protobuf import field_mask_pb2

TIMEOUT = 60


def main() -> None:
    config: dict[str, Any] = json.loads(sys.argv[1])
    # A static bearer token: the stand-in's accountOf maps it to an account. An http:// api_endpoint
    # is taken as is by the REST transport (its scheme kept), and its operations client polls there.
    credentials = Credentials(token=config["token"])
    options = ClientOptions(api_endpoint=config["url"])
    models = vertex.ModelServiceClient(credentials=credentials, transport="rest", client_options=options)
    endpoints = vertex.EndpointServiceClient(credentials=credentials, transport="rest", client_options=options)
    predictions = vertex.PredictionServiceClient(credentials=credentials, transport="rest", client_options=options)
    parent = f"projects/{config['project']}/locations/{config['location']}"
    summary: dict[str, Any] = {}

    def container() -> vertex.ModelContainerSpec:
        return vertex.ModelContainerSpec(
            image_uri=config["image"],
            predict_route="/predict",
            health_route="/health",
            ports=[vertex.Port(container_port=8080)],
            env=[vertex.EnvVar(name="MODE", value="online")],
        )

    # Upload: a new model, then a second version under it.
    # model_id and parent_model are no flattened arguments of upload_model: a request object.
    upload = models.upload_model(
        request=vertex.UploadModelRequest(
            parent=parent,
            model=vertex.Model(
                display_name="churn",
                description="Predicts which customers leave.",
                artifact_uri=config["artifacts"]["v1"],
                container_spec=container(),
                labels={"team": "growth"},
            ),
            model_id="churn",
        )
    )
    summary["upload_metadata"] = type(upload.metadata).__name__
    first = upload.result(timeout=TIMEOUT)
    summary["upload"] = {"model": first.model, "model_version_id": first.model_version_id, "done": upload.done()}
    got = models.get_model(name=first.model)
    summary["get_model"] = {
        "name": got.name,
        "display_name": got.display_name,
        "version_id": got.version_id,
        "version_aliases": list(got.version_aliases),
        "artifact_uri": got.artifact_uri,
        "image_uri": got.container_spec.image_uri,
        "labels": dict(got.labels),
    }
    second = models.upload_model(
        request=vertex.UploadModelRequest(
            parent=parent,
            model=vertex.Model(display_name="churn", version_description="Retrained.", artifact_uri=config["artifacts"]["v2"], container_spec=container()),
            parent_model=first.model,
        )
    ).result(timeout=TIMEOUT)
    summary["upload_version"] = {"model": second.model, "model_version_id": second.model_version_id}

    # An upload whose artifact folder holds nothing: the operation fails, and result() raises.
    empty = models.upload_model(
        parent=parent, model=vertex.Model(display_name="empty", artifact_uri=config["artifacts"]["empty"], container_spec=container())
    )
    try:
        empty.result(timeout=TIMEOUT)
        summary["empty_upload"] = {"raised": None}
    except exceptions.GoogleAPICallError as error:
        summary["empty_upload"] = {"raised": type(error).__name__, "code": error.grpc_status_code.name if error.grpc_status_code else None, "message": error.message}

    # An endpoint with an id of ours.
    create = endpoints.create_endpoint(parent=parent, endpoint=vertex.Endpoint(display_name="churn-prod", labels={"env": "prod"}), endpoint_id="churn-prod")
    summary["create_metadata"] = type(create.metadata).__name__
    endpoint = create.result(timeout=TIMEOUT)
    summary["create_endpoint"] = {"name": endpoint.name, "display_name": endpoint.display_name, "labels": dict(endpoint.labels)}

    def resources() -> vertex.DedicatedResources:
        return vertex.DedicatedResources(machine_spec=vertex.MachineSpec(machine_type="n1-standard-2"), min_replica_count=1, max_replica_count=2)

    # Version 1 with all the traffic ("0": the model being deployed), then version 2 at 10 %.
    deploy = endpoints.deploy_model(
        endpoint=endpoint.name,
        deployed_model=vertex.DeployedModel(model=f"{first.model}@1", display_name="churn-v1", dedicated_resources=resources()),
        traffic_split={"0": 100},
    )
    summary["deploy_metadata"] = type(deploy.metadata).__name__
    one = deploy.result(timeout=TIMEOUT).deployed_model
    two = (
        endpoints.deploy_model(
            endpoint=endpoint.name,
            deployed_model=vertex.DeployedModel(model=f"{first.model}@2", display_name="churn-v2", dedicated_resources=resources()),
            traffic_split={one.id: 90, "0": 10},
        )
        .result(timeout=TIMEOUT)
        .deployed_model
    )
    summary["deployed"] = [
        {"id": d.id, "model": d.model, "model_version_id": d.model_version_id, "display_name": d.display_name, "machine_type": d.dedicated_resources.machine_spec.machine_type}
        for d in (one, two)
    ]
    summary["split_after_deploys"] = dict(endpoints.get_endpoint(name=endpoint.name).traffic_split)

    # The split moved with update_endpoint (endpoints.patch, updateMask=trafficSplit).
    updated = endpoints.update_endpoint(
        endpoint=vertex.Endpoint(name=endpoint.name, traffic_split={one.id: 50, two.id: 50}),
        update_mask=field_mask_pb2.FieldMask(paths=["traffic_split"]),
    )
    summary["split_after_update"] = dict(updated.traffic_split)

    # A deployed model that keeps traffic may not go (a synchronous refusal).
    try:
        endpoints.undeploy_model(endpoint=endpoint.name, deployed_model_id=one.id)
        summary["refused_undeploy"] = {"raised": None}
    except exceptions.GoogleAPICallError as error:
        summary["refused_undeploy"] = {"raised": type(error).__name__, "message": error.message}

    # Predictions follow the split: version 2 alone after the undeploy.
    undeploy = endpoints.undeploy_model(endpoint=endpoint.name, deployed_model_id=one.id, traffic_split={two.id: 100})
    summary["undeploy_metadata"] = type(undeploy.metadata).__name__
    summary["undeploy_result"] = type(undeploy.result(timeout=TIMEOUT)).__name__
    final = endpoints.get_endpoint(name=endpoint.name)
    summary["get_endpoint"] = {
        "name": final.name,
        "deployed": [{"id": d.id, "model_version_id": d.model_version_id} for d in final.deployed_models],
        "traffic_split": dict(final.traffic_split),
        "has_etag": bool(final.etag),
        "has_times": bool(final.create_time and final.update_time),
    }
    answer = predictions.predict(endpoint=endpoint.name, instances=[{"tenure": 3}, {"tenure": 40}])
    summary["predict"] = {"predictions": list(answer.predictions), "deployed_model_id": answer.deployed_model_id, "model_version_id": answer.model_version_id}

    # The registry, read as an import reads it (pages of one: the stand-in's page size).
    summary["list_models"] = [(m.name, m.version_id, list(m.version_aliases)) for m in models.list_models(parent=parent)]
    summary["list_model_versions"] = [(m.version_id, m.version_description, [(r.endpoint, r.deployed_model_id) for r in m.deployed_models]) for m in models.list_model_versions(name=first.model)]
    at_two = models.get_model(name=f"{first.model}@2")
    summary["get_model_version"] = {"version_id": at_two.version_id, "artifact_uri": at_two.artifact_uri, "deployed": [r.deployed_model_id for r in at_two.deployed_models]}

    # Deleting another endpoint: refused while a model is deployed there, done (an Empty response) once none is.
    scratch = endpoints.create_endpoint(parent=parent, endpoint=vertex.Endpoint(display_name="scratch"), endpoint_id="scratch").result(timeout=TIMEOUT)
    lone = (
        endpoints.deploy_model(
            endpoint=scratch.name,
            deployed_model=vertex.DeployedModel(model=f"{first.model}@1", display_name="scratch-v1", dedicated_resources=resources()),
            traffic_split={"0": 100},
        )
        .result(timeout=TIMEOUT)
        .deployed_model
    )
    try:
        endpoints.delete_endpoint(name=scratch.name)
        summary["refused_delete"] = {"raised": None}
    except exceptions.GoogleAPICallError as error:
        summary["refused_delete"] = {"raised": type(error).__name__, "message": error.message}
    endpoints.undeploy_model(endpoint=scratch.name, deployed_model_id=lone.id).result(timeout=TIMEOUT)
    delete = endpoints.delete_endpoint(name=scratch.name)
    summary["delete_metadata"] = type(delete.metadata).__name__
    delete.result(timeout=TIMEOUT)
    try:
        endpoints.get_endpoint(name=scratch.name)
        summary["after_delete"] = "found"
    except exceptions.NotFound:
        summary["after_delete"] = "NotFound"
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
