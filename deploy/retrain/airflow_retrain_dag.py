"""Airflow DAG: dptrain retrain once a day, after the day's partition has landed.

Each run trains on the partitions from its logical date on (data.since={{ ds }}: the day the run
stands for), warm-started from the registry's current model, and promotes the candidate only when it
beats the current model on the holdout by more than retrain.min_improvement. Backfills and reruns of
a day pass that day, so the registry records which data every version saw.

max_active_runs=1 keeps to one writer per registry. The Spark connection (spark_yarn) carries the
master and deploy mode, e.g. host "yarn", extra {"deploy-mode": "cluster", "queue": "ml"}; Spark on
Kubernetes works the same with host "k8s://https://<api-server>" and the image in conf.

Needs apache-airflow-providers-apache-spark. The jar and the spec are paths on the Airflow worker.
DPTRAIN_SPARK in the scheduler's environment picks the Spark line, as for ./dptrain and
deploy/submit.sh: 3 (the default) submits dptrain.jar to a Spark 3.5 connection, 4 submits
dptrain-spark4.jar (built with -Pspark4) to a Spark 4 one.
"""
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

SPARK_LINE = os.environ.get("DPTRAIN_SPARK", "3")
DPTRAIN_JAR = {"3": "/opt/dptrain/dptrain.jar", "3.5": "/opt/dptrain/dptrain.jar",
               "4": "/opt/dptrain/dptrain-spark4.jar"}[SPARK_LINE]
SPEC = "/opt/dptrain/deploy/retrain/retrain-spec.yaml"
WORKERS = 4
EXECUTOR_CORES = 4

# DL4J/ND4J on Java 17 need these on the driver and the executors.
OPENS = ("--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED "
         "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED "
         "-Djdk.reflect.useDirectMethodHandle=false")

with DAG(
    dag_id="dptrain_retrain_churn",
    description="dptrain retrain: warm start, compare on the holdout, promote if better",
    schedule="30 2 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["dptrain", "retrain"],
) as dag:
    SparkSubmitOperator(
        task_id="retrain",
        conn_id="spark_yarn",
        application=DPTRAIN_JAR,
        java_class="dptrain.driver.cli.Main",
        name="dptrain-retrain-{{ ds_nodash }}",
        files=SPEC,
        # in cluster deploy mode --files puts the spec in the driver's working directory
        application_args=["retrain", "retrain-spec.yaml", "data.since={{ ds }}",
                          "training.workers=%d" % WORKERS],
        num_executors=WORKERS,
        executor_cores=EXECUTOR_CORES,
        executor_memory="8g",
        driver_memory="4g",
        conf={
            "spark.dynamicAllocation.enabled": "false",
            "spark.task.cpus": str(EXECUTOR_CORES),
            "spark.executorEnv.OMP_NUM_THREADS": str(EXECUTOR_CORES),
            "spark.yarn.maxAppAttempts": "1",
            "spark.executor.extraJavaOptions": OPENS,
            "spark.driver.extraJavaOptions": OPENS,
        },
    )
