import { Flex, Typography } from 'antd';
import { type ReactNode, useEffect } from 'react';
import { useI18n } from '@/i18n';

interface Props {
  title: ReactNode;
  subtitle?: ReactNode;
  extra?: ReactNode;
  /** Shown before the title (a back button). */
  leading?: ReactNode;
  /** The browser tab's title when `title` is not plain text. */
  documentTitle?: string;
  children: ReactNode;
}

/** The frame of every page: a title row with actions, then the content. */
export function PageContainer({ title, subtitle, extra, leading, documentTitle, children }: Props) {
  const { t } = useI18n();
  const tabTitle = documentTitle ?? (typeof title === 'string' ? title : null);
  useEffect(() => {
    if (tabTitle) document.title = `${tabTitle} · ${t('app.fullName')}`;
  }, [tabTitle, t]);
  return (
    <div className="page">
      <Flex className="page-header" justify="space-between" align="flex-start" gap={12} wrap="wrap">
        <Flex gap={8} align="flex-start" style={{ minWidth: 0 }}>
          {leading}
          <div style={{ minWidth: 0 }}>
            <Typography.Title level={3} className="page-title">
              {title}
            </Typography.Title>
            {subtitle ? <Typography.Text type="secondary">{subtitle}</Typography.Text> : null}
          </div>
        </Flex>
        {extra ? (
          <Flex gap={8} wrap="wrap" className="page-extra">
            {extra}
          </Flex>
        ) : null}
      </Flex>
      {children}
    </div>
  );
}
