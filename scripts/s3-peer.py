"""Start moto_server with signature checking on and print the settings the S3 tests use.

moto accepts any signature until INITIAL_NO_AUTH_ACTION_COUNT unauthenticated calls have been made;
the first three calls create an IAM user, its policy and its access key, and from then on every
request must be signed with that key: a wrong secret gets 403 SignatureDoesNotMatch.

    python scripts/s3-peer.py PORT   # prints shell exports, keeps nothing else running but moto_server
"""
import os
import subprocess
import sys
import time
import urllib.request

import boto3

port = int(sys.argv[1])
endpoint = f"http://127.0.0.1:{port}"
env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
server = subprocess.Popen(
    [os.path.join(os.path.dirname(sys.executable), "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
)
for _ in range(100):
    try:
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
        break
    except Exception:
        time.sleep(0.1)

iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="atelier")
iam.put_user_policy(UserName="atelier", PolicyName="assets", PolicyDocument=(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'))
key = iam.create_access_key(UserName="atelier")["AccessKey"]

s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket="atelier-assets")

print(f"export ATELIER_TEST_S3_PID={server.pid}")
print(f"export ATELIER_TEST_S3_ENDPOINT={endpoint}")
print("export ATELIER_TEST_S3_BUCKET=atelier-assets")
print(f"export ATELIER_TEST_S3_ACCESS_KEY_ID={key['AccessKeyId']}")
print(f"export ATELIER_TEST_S3_SECRET_ACCESS_KEY={key['SecretAccessKey']}")
