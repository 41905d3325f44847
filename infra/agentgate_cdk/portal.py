"""The tenant portal: a private S3 bucket behind CloudFront (origin access control).

The same distribution forwards the API's paths to API Gateway, so the portal and the API share
one origin in AWS as they do behind the local gateway (no CORS), and the issuer URL serves
``/.well-known/`` too. The API's path patterns come from the routes table.

The built portal (``portal/dist``) is deployed in two passes: the content-hashed ``assets/`` with a
year-long immutable cache (older ones are kept, for tabs still running a previous build), then
``index.html`` with ``no-cache`` so a deployment shows at the next load. A CloudFront Function
answers the portal's client-side routes (``/app/runs/r1``) with ``index.html``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from agentgate.routes import Route
from infra.agentgate_cdk.config import API_STAGE_NAME
from infra.agentgate_cdk.nag import acknowledge

LOG_EXPIRY = cdk.Duration.days(90)
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# Viewer-request: a path whose last segment has no dot is a portal page, served by index.html.
SPA_REWRITE = """function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) { request.uri = '/index.html'; }
  return request;
}"""


def api_path_patterns(routes: Iterable[Route]) -> list[str]:
    """CloudFront path patterns that send every route to API Gateway and nothing else."""
    patterns: set[str] = set()
    for route in routes:
        segments = route.path.strip("/").split("/")
        patterns.add(f"/{segments[0]}" if len(segments) == 1 else f"/{segments[0]}/*")
    return sorted(patterns)


def has_files(directory: Path) -> bool:
    return directory.is_dir() and any(path.is_file() for path in directory.rglob("*"))


class Portal(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigw.IRestApi,
        routes: Iterable[Route],
        portal_dir: Path,
    ) -> None:
        super().__init__(scope, construct_id)
        self.logs_bucket = self._log_bucket("AccessLogs", s3.ObjectOwnership.BUCKET_OWNER_ENFORCED)
        acknowledge(
            self.logs_bucket,
            "AwsSolutions-S1",
            "This bucket receives the server access logs; logging its own access would loop.",
        )
        # CloudFront's standard logs are written with ACLs, so they get a bucket of their own.
        self.cdn_logs_bucket = self._log_bucket(
            "CdnLogs",
            s3.ObjectOwnership.OBJECT_WRITER,
            server_access_logs_bucket=self.logs_bucket,
            server_access_logs_prefix="cdn-logs-bucket/",
        )
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            server_access_logs_bucket=self.logs_bucket,
            server_access_logs_prefix="portal-bucket/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        api_origin = origins.HttpOrigin(
            f"{api.rest_api_id}.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}",
            origin_path=f"/{API_STAGE_NAME}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        api_behavior = cloudfront.BehaviorOptions(
            origin=api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # Every header but Host (API Gateway routes by its own host name), Authorization included.
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="AgentGate portal and API",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=cloudfront.Function(
                            self,
                            "SpaRoutes",
                            code=cloudfront.FunctionCode.from_inline(SPA_REWRITE),
                            runtime=cloudfront.FunctionRuntime.JS_2_0,
                            comment="Portal client-side routes are served by index.html",
                        ),
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                    )
                ],
            ),
            additional_behaviors={pattern: api_behavior for pattern in api_path_patterns(routes)},
            default_root_object="index.html",
            enable_logging=True,
            log_bucket=self.cdn_logs_bucket,
            log_file_prefix="cloudfront/",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        for rule, reason in (
            ("AwsSolutions-CFR1", "A tenant portal and API for agents worldwide: no country is excluded."),
            (
                "AwsSolutions-CFR2",
                "API Gateway usage plans throttle per tenant; a WAF is a per-deployment add-on.",
            ),
            (
                "AwsSolutions-CFR4",
                "The default *.cloudfront.net certificate fixes the TLS policy; a custom domain would not.",
            ),
        ):
            acknowledge(self.distribution, rule, reason)
        self.deployments: list[s3_deployment.BucketDeployment] = []
        if has_files(portal_dir):
            source = s3_deployment.Source.asset(str(portal_dir))
            assets = s3_deployment.BucketDeployment(
                self,
                "Files",
                sources=[source],
                destination_bucket=self.bucket,
                exclude=["index.html"],
                cache_control=[s3_deployment.CacheControl.from_string(IMMUTABLE)],
                prune=False,
                memory_limit=256,
            )
            index = s3_deployment.BucketDeployment(
                self,
                "Index",
                sources=[source],
                destination_bucket=self.bucket,
                exclude=["*"],
                include=["index.html"],
                cache_control=[s3_deployment.CacheControl.from_string(NO_CACHE)],
                prune=False,
                distribution=self.distribution,
                distribution_paths=["/index.html"],
                memory_limit=256,
            )
            index.node.add_dependency(assets)  # never an index.html naming assets not yet uploaded
            self.deployments = [assets, index]
            self._acknowledge_deployment_handler()

    def _log_bucket(self, construct_id: str, ownership: s3.ObjectOwnership, **more: Any) -> s3.Bucket:
        """A private, encrypted, TLS-only bucket of logs, kept ``LOG_EXPIRY`` and retained on deletion."""
        return s3.Bucket(
            self,
            construct_id,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=ownership,
            lifecycle_rules=[s3.LifecycleRule(expiration=LOG_EXPIRY)],
            removal_policy=cdk.RemovalPolicy.RETAIN,
            **more,
        )

    def _acknowledge_deployment_handler(self) -> None:
        """The bucket deployment's handler is a CDK-owned singleton function at the stack's root."""
        stack = cdk.Stack.of(self)
        site = self.bucket.node.default_child
        assert isinstance(site, cdk.CfnResource)
        for handler in stack.node.children:
            if not handler.node.id.startswith("Custom::CDKBucketDeployment"):
                continue
            acknowledge(
                handler, "AwsSolutions-L1", "aws-cdk-lib owns this custom resource handler's runtime."
            )
            role = handler.node.find_child("ServiceRole")
            acknowledge(
                role,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "aws-cdk-lib's bucket deployment handler logs with the basic execution policy.",
            )
            for finding in (
                "Action::s3:GetBucket*",
                "Action::s3:GetObject*",
                "Action::s3:List*",
                "Action::s3:Abort*",
                "Action::s3:DeleteObject*",
                "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
                f"Resource::<{stack.get_logical_id(site)}.Arn>/*",
                "Resource::*",
            ):
                acknowledge(
                    role,
                    f"AwsSolutions-IAM5[{finding}]",
                    "aws-cdk-lib's grants to copy the portal's asset into the site bucket and invalidate it.",
                )

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"
